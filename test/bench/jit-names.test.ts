// bench/jit-names.ts (`npm run bench -- --profile`): a callgrind dump's self costs by function, with the addresses of
// V8's generated code named from node's perf map, and a call's inclusive cost left to its callee.
import { describe, expect, test } from 'vitest';

import { costsByName } from '../../bench/jit-names.js';

// Two code objects in the perf map; callgrind sees JIT code as one unnamed function at the first address it met.
const perfMap = ['1000 40 JS:*recvArmable file:///x/stream-calls.js:105:21', '2000 20 Builtin:GetProperty', ''].join('\n');

const dump = [
  'positions: instr line',
  'events: Ir',
  'summary: 132',
  'fn=(1) 0x0000000000001000',
  '0x1000 0 10', // recvArmable
  '+4 0 20', // 0x1004: recvArmable
  'cfn=(2) napi_get_cb_info',
  'calls=1 0x9000 0',
  '+2 0 500', // 0x1006: the call's inclusive cost, not recvArmable's own
  '0x2010 0 31', // GetProperty
  '+16 0 7', // 0x2020: past both code objects: the unnamed function's own
  'fn=(2)',
  '0x9000 0 64',
  '',
].join('\n');

describe('costsByName', () => {
  test('names each JIT instruction by the code object holding it and leaves call costs to the callee', () => {
    expect(costsByName(dump, perfMap)).toEqual([
      ['napi_get_cb_info', 64],
      ['Builtin:GetProperty', 31],
      ['JS:*recvArmable file:///x/stream-calls.js:105:21', 30],
      ['0x0000000000001000', 7],
    ]);
  });

  test('without a perf map every cost stays with callgrind\'s own names', () => {
    expect(costsByName(dump, '')).toEqual([['0x0000000000001000', 68], ['napi_get_cb_info', 64]]);
  });
});
