// The bench's verdicts on issue 17's goals (bench/stats.ts) and its reading of callgrind's output
// (bench/workloads.ts): a goal whose counts had JIT compiles in their window is not judged, one whose figures are
// missing is not judged, and the rest are met or not met by their bound.
import { describe, expect, test } from 'vitest';

import { GOALS, Results, judge } from '../../bench/stats.js';
import { readCallgrind } from '../../bench/workloads.js';

const goal = (text: string) => {
  const found = GOALS.find((g) => g.text.startsWith(text));
  if (found === undefined) throw new Error(`no goal "${text}"`);
  return found;
};

describe('issue 17 goals', () => {
  test('a ratio of two steady counts is met or not met by its bound', () => {
    const results = new Results();
    results.add('instructions.waiting', 'floor', 10_000);
    results.add('instructions.waiting.compiles', 'floor', 0);
    results.add('instructions.waiting', 'ours', 11_400);
    results.add('instructions.waiting.compiles', 'ours', 0);
    expect(judge(goal('waited round trip'), results)).toMatchObject({ verdict: 'met', figure: 1.14 });
    results.add('instructions.waiting', 'ours', 11_600); // the median of 11,400 and 11,600: 1.15x, still met
    expect(judge(goal('waited round trip'), results).verdict).toBe('met');
    results.add('instructions.waiting', 'ours', 12_000);
    expect(judge(goal('waited round trip'), results)).toMatchObject({ verdict: 'not met', figure: 1.16 });
  });

  test('a count with TurboFan compiles in its window is not judged, whichever side it is', () => {
    const results = new Results();
    results.add('instructions.ready', 'ours', 5_000);
    results.add('instructions.ready.compiles', 'ours', 0);
    results.add('instructions.ready', 'net', 100_000);
    results.add('instructions.ready.compiles', 'net', 54_000);
    const verdict = judge(goal('answer already there'), results);
    expect(verdict.verdict).toBe('not judged');
    expect(verdict.why).toContain("net's instructions.ready is not a steady state (54000");
  });

  test('a goal whose figures were not measured is not judged', () => {
    const results = new Results();
    results.add('bulk.throughput', 'ours', 2);
    expect(judge(goal('bulk wall clock ≥ 1× node:net'), results)).toMatchObject({ verdict: 'not judged',
      why: 'not measured in this run' });
  });

  test('the growth goal needs all four scale counts steady, and compares the growth with the floor\'s', () => {
    const results = new Results();
    for (const [side, at100, at1000] of [['ours', 10_000, 10_500], ['floor', 7_000, 7_400]] as const) {
      results.add('scale.100', side, at100);
      results.add('scale.1000', side, at1000);
      results.add('scale.100.compiles', side, 0);
      results.add('scale.1000.compiles', side, 0);
    }
    expect(judge(goal('growth from 100'), results)).toMatchObject({ verdict: 'not met', figure: 100 });
    results.add('scale.1000.compiles', 'floor', 10);
    expect(judge(goal('growth from 100'), results).verdict).toBe('not judged');
  });

  test('bulk verdicts name the regime they hold for', () => {
    const results = new Results();
    for (const [side, rate] of [['ours', 1.9], ['net', 1.8], ['c', 1.7]] as const) results.add('bulk.throughput', side, rate);
    expect(judge(goal('bulk wall clock ≥ 0.9× C'), results)).toMatchObject({ verdict: 'met',
      why: "this run's regime only: C 1.70 GiB/s, node:net 1.80 GiB/s" });
  });
});

describe('readCallgrind', () => {
  const dump = [
    'fn=(1) main', '0 100',
    'cfn=(2) epoll_pwait', 'calls=3 0', '0 40',
    'cfn=(3) v8::internal::OptimizingCompileDispatcher::CompileTask::RunInternal()', 'calls=1 0', '0 5000',
    'summary: 9000', '',
  ].join('\n');

  test('reads the total, the epoll waits and the compiles inside the window', () => {
    expect(readCallgrind(dump)).toEqual({ instructions: 9000, epollWaits: 3, compiles: 5000 });
  });

  test('a dump without its summary line is an error, not a count of 0', () => {
    expect(() => readCallgrind(dump.replace('summary: 9000', ''))).toThrow('without a summary line');
  });
});
