// Answers given at once by a transaction's effects: delivered after the synchronous work that gave them, in order,
// each in a later job than the step that asked (an answer given while answers are delivered waits for the next job),
// and one that throws loses no other answer.
import { describe, expect, it } from 'vitest';
import { answerSoon } from '../../../src/actors/answers-due.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('answerSoon', () => {
  it('delivers after the synchronous work, in the order given', async () => {
    const seen: unknown[] = [];
    answerSoon((r) => seen.push(r), 1);
    answerSoon((r) => seen.push(r), 2);
    seen.push('sync');
    expect(seen).toEqual(['sync']);
    await tick();
    expect(seen).toEqual(['sync', 1, 2]);
  });

  it('keeps the microtask order with promises: an answer given before a promise reaction runs before it', async () => {
    const seen: string[] = [];
    answerSoon(() => seen.push('answer'), undefined);
    void Promise.resolve().then(() => seen.push('promise'));
    await tick();
    expect(seen).toEqual(['answer', 'promise']);
  });

  it('an answer given while answers are delivered comes in a later job, after what was already due', async () => {
    const seen: string[] = [];
    answerSoon(() => {
      seen.push('first');
      answerSoon(() => seen.push('asked by first'), undefined);
    }, undefined);
    answerSoon(() => seen.push('second'), undefined);
    await tick();
    expect(seen).toEqual(['first', 'second', 'asked by first']);
  });

  it('a throwing answer surfaces as an uncaught error of its own; the others are delivered', async () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const onError = (error: unknown): void => void errors.push(error);
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onError);
    try {
      answerSoon(() => {
        throw new Error('boom');
      }, undefined);
      answerSoon(() => seen.push('after'), undefined);
      await tick();
      await tick();
    } finally {
      process.removeListener('uncaughtException', onError);
      for (const l of listeners) process.on('uncaughtException', l);
    }
    expect(seen).toEqual(['after']);
    expect(errors).toEqual([new Error('boom')]);
  });
});
