// Answers the transactions' effects gave at once (most decisions: an OFFER, a NAK, a conflict check without a
// probe), delivered in one microtask job after the synchronous work that asked for them, in the order given. A
// resolved promise per answer did the same with a promise, a reaction and a job of its own each.
//
// Bounded: an answer is queued only by a step, and steps run only for the requests of the current receive batch
// and the answers being delivered; the queue is emptied by every job.

type Answer = (result: unknown) => void;

let callbacks: Answer[] = [];
let results: unknown[] = [];
let scheduled = false;

/** Calls `answered(result)` after the current synchronous work, with the other answers given now, in order. */
export function answerSoon(answered: Answer, result: unknown): void {
  callbacks.push(answered);
  results.push(result);
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(deliver);
}

function deliver(): void {
  // Answers given while these are delivered (the next step's) go into fresh arrays, and a job of their own: each
  // answer stays a later step than the one that asked for it.
  const due = callbacks;
  const values = results;
  callbacks = [];
  results = [];
  scheduled = false;
  for (let i = 0; i < due.length; i++) {
    try {
      due[i]!(values[i]);
    } catch (error) {
      // A step that throws inside its answer: as when a promise reaction threw, the rest are still delivered and
      // the error surfaces as an uncaught exception of its own, not as the loss of every other client's answer.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
