// The one duration formatter (engine/duration.ts): every view writes durations this way, and
// whole values read back with the playbook's parser.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDuration } from '../engine/duration.js';
import { parseDuration } from '../engine/playbook/duration.js';

test('durations: ms under a second, tenths under ten seconds, then h/m/s with trailing zero units dropped', () => {
  const table: [number, string][] = [
    [0, '0s'],
    [850, '850ms'],
    [999.6, '1s'],
    [1_000, '1s'],
    [4_900, '4.9s'],
    [9_960, '10s'],
    [36_000, '36s'],
    [90_000, '1m30s'],
    [250_000, '4m10s'],
    [1_800_000, '30m'],
    [3_600_000, '1h'],
    [3_720_000, '1h02m'],
    [3_723_000, '1h02m03s'],
    [90_000_000, '25h'],
    [-65_000, '-1m05s'],
    [Number.NaN, '–'],
  ];
  for (const [ms, text] of table) assert.is(formatDuration(ms), text, String(ms));
});

test('whole durations read back with the playbook parser', () => {
  for (const ms of [500, 3_000, 30_000, 90_000, 300_000, 3_723_000, 86_400_000])
    assert.is(parseDuration(formatDuration(ms)), ms, String(ms));
});

test.run();
