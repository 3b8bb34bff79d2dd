import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { levelOf, streamLog } from '../../src/core/log.js';

function stream() {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d) => (text += d));
  return { s, text: () => text };
}
const at = () => new Date('2026-05-20T12:00:00Z');

describe('the Log of a stream', () => {
  it('writes text as `mbuzz: <msg>`, warnings with their prefix, one line whatever the message holds', () => {
    const { s, text } = stream();
    const log = streamLog(s, at);
    log.write('info', 'a note');
    log.write('warning', 'careful');
    log.write('error', 'bad\nthing\u001b[31m', { exitCode: 2 });
    expect(text()).toBe('mbuzz: a note\nmbuzz: warning: careful\nmbuzz: bad thing [31m\n');
  });

  it('writes json as one object a line: level, msg, time, then the fields; a field cannot replace those three', () => {
    const { s, text } = stream();
    const log = streamLog(s, at);
    log.format = 'json';
    log.write('debug', 'GET x 200', { status: 200, url: 'x', level: 'error', msg: 'forged', skipped: undefined });
    log.write('error', 'two\nlines', { exitCode: 5 });
    const lines = text().trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({ level: 'debug', msg: 'GET x 200', time: '2026-05-20T12:00:00.000Z', status: 200, url: 'x' });
    expect(JSON.parse(lines[1]!)).toEqual({ level: 'error', msg: 'two lines', time: '2026-05-20T12:00:00.000Z', exitCode: 5 });
  });

  it('is one Log per stream: the format set through one handle holds for every writer of that stream', () => {
    const { s, text } = stream();
    streamLog(s, at).format = 'json';
    streamLog(s).write('info', 'from elsewhere');
    expect(JSON.parse(text())).toMatchObject({ level: 'info', msg: 'from elsewhere' });
    // another stream keeps its own format
    const other = stream();
    streamLog(other.s).write('info', 'plain');
    expect(other.text()).toBe('mbuzz: plain\n');
  });

  it('reads the level of a line the pipeline says', () => {
    expect(levelOf('warning: x')).toEqual({ level: 'warning', msg: 'x' });
    expect(levelOf('note: y')).toEqual({ level: 'info', msg: 'note: y' });
  });
});
