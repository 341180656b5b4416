{
  "variables": {
    # Set by CI (`npm_config_winsock_werror=1`) to fail on any compiler warning; a user's install never does.
    "winsock_werror%": "<!(node -p \"process.env.npm_config_winsock_werror || process.env.WINSOCK_WERROR || 0\")",
    # Set by scripts/with-asan.sh (WINSOCK_SANITIZE=address,undefined) for the sanitizer build; never in a user's
    # install. POSIX only: MSVC's ASan is a separate story.
    "winsock_sanitize%": "<!(node -p \"process.env.WINSOCK_SANITIZE || ''\")"
  },
  "targets": [
    {
      "target_name": "winsock",
      "sources": [
        "native/addon.cc",
        "native/arguments.cc",
        "native/async_calls.cc",
        "native/datagram_calls.cc",
        "native/extension_calls.cc",
        "native/name_calls.cc",
        "native/option_calls.cc",
        "native/poll_calls.cc",
        "native/readiness_calls.cc",
        "native/socket_handle.cc",
        "native/socket_poll.cc",
        "native/socket_registry.cc",
        "native/thread_poller.cc",
        "native/winsock_calls.cc",
        "native/platform/address.cc",
        "native/platform/constants.cc",
        "native/platform/options.cc",
        "native/platform/packet_info.cc"
      ],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except"],
      # NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS: when a worker is terminated, N-API calls fail with no exception to
      # throw (the environment cannot run JavaScript any more); without it node-addon-api turns that into
      # std::terminate or a fatal error, taking the whole process down (test/conformance/faults.test.ts).
      # NODE_ADDON_API_CPP_EXCEPTIONS_ALL: any other C++ exception (std::bad_alloc from a huge string argument)
      # becomes a JavaScript Error instead of std::terminate.
      "defines": ["NAPI_VERSION=8", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS", "NODE_ADDON_API_CPP_EXCEPTIONS_ALL"],
      "conditions": [
        ["OS=='win'", {
          "sources": ["native/platform/win.cc", "native/platform/poller_wsapoll.cc"],
          "defines": ["WIN32_LEAN_AND_MEAN", "NOMINMAX", "_WIN32_WINNT=0x0A00", "UNICODE", "_UNICODE"],
          "libraries": ["ws2_32.lib"],
          # /external:anglebrackets /external:W0: headers included with <> (napi.h, uv.h, the Windows SDK) are not ours,
          # so with WINSOCK_WERROR's /WX their warnings cannot fail the build; ours stay at /W4.
          "msvs_settings": {
            "VCCLCompilerTool": { "AdditionalOptions": ["/std:c++17", "/W4", "/external:anglebrackets", "/external:W0"] }
          }
        }, {
          "sources": ["native/platform/posix.cc", "native/platform/posix_state.cc", "native/platform/posix_readiness.cc", "native/platform/posix_addrinfo.cc"],
          "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "MACOSX_DEPLOYMENT_TARGET": "10.15",
            "OTHER_CPLUSPLUSFLAGS": ["-Wall", "-Wextra"]
          }
        }],
        # The thread poller's OS half (native/platform/poller.h): epoll on Linux, kqueue on macOS and the BSDs.
        ["OS=='linux'", { "sources": ["native/platform/poller_epoll.cc"] }],
        ["OS!='win' and OS!='linux'", { "sources": ["native/platform/poller_kqueue.cc"] }],
        ["winsock_sanitize!='' and OS!='win'", {
          # -O1 (after node-gyp's -O3, so it wins) and frame pointers for usable stacks; any UBSan finding aborts,
          # so a test cannot pass over one.
          "cflags_cc": ["-fsanitize=<(winsock_sanitize)", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer",
                        "-g", "-O1"],
          "ldflags": ["-fsanitize=<(winsock_sanitize)"],
          "xcode_settings": {
            "OTHER_CPLUSPLUSFLAGS": ["-fsanitize=<(winsock_sanitize)", "-fno-omit-frame-pointer", "-g"],
            "OTHER_LDFLAGS": ["-fsanitize=<(winsock_sanitize)"]
          }
        }],
        ["winsock_werror==1", {
          "cflags_cc": ["-Werror"],
          "xcode_settings": { "GCC_TREAT_WARNINGS_AS_ERRORS": "YES" },
          "msvs_settings": { "VCCLCompilerTool": { "WarnAsError": "true" } }
        }]
      ]
    }
  ]
}
