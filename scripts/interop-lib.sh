# Shared by the interop scripts (scripts/wine-interop.sh, scripts/c-tutorial-interop.sh): the tutorial's two
# transcripts, and helpers to wait for a server's port, wait for a process, and compare a run's transcripts.
# Sourced, not run; the caller sets `work` to the folder holding NAME.{server,client}.{out,err}.

client_expected=$'Bytes Sent: 14\nBytes received: 14\nConnection closed\n'
server_expected=$'Bytes received: 14\nBytes sent: 14\nConnection closing...\n'

# Waits up to $2 seconds for background job $1 to exit and sets `rc` to its exit code (124 when it had to be
# killed). Not called as $(...): a subshell cannot `wait` for its parent's jobs.
wait_for() {
  local pid=$1 deadline=$((SECONDS + $2))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rc=124
  else
    wait "$pid"
    rc=$?
  fi
}

# Polls a server's stderr file until it says where it listens (the output is a file: Wine's node.exe cannot write
# to a pipe); prints the port, or nothing when the server exits or 60 s pass first.
port_of() {
  local pid=$1 err=$2 deadline=$((SECONDS + 60)) line
  while ((SECONDS < deadline)); do
    line=$(grep -m1 -o 'Listening on .*:[0-9]*' "$err" 2>/dev/null) && { echo "${line##*:}"; return; }
    kill -0 "$pid" 2>/dev/null || return
    sleep 0.1
  done
}

# check NAME SERVER_RC CLIENT_RC: compares the transcripts in $work/NAME.{server,client}.{out,err}.
check() {
  local name=$1 server_rc=$2 client_rc=$3 ok=1
  [[ $server_rc == 0 && $client_rc == 0 ]] || ok=0
  [[ $(<"$work/$name.server.out") == "${server_expected%$'\n'}" ]] || ok=0
  [[ $(<"$work/$name.client.out") == "${client_expected%$'\n'}" ]] || ok=0
  # $(<file) drops trailing newlines; cmp catches a missing or doubled final newline, or \r\n line ends.
  cmp -s "$work/$name.server.out" <(printf '%s' "$server_expected") || ok=0
  cmp -s "$work/$name.client.out" <(printf '%s' "$client_expected") || ok=0
  if ((ok)); then
    echo "PASS interop $name"
    return 0
  fi
  echo "FAIL interop $name (server exit $server_rc, client exit $client_rc)"
  for part in server client; do
    for stream in out err; do
      echo "--- $part std$stream ---"
      cat -A "$work/$name.$part.$stream" 2>/dev/null
    done
  done
  return 1
}

