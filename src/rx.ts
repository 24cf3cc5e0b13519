// RxJS as the daemon loads it: only the modules it uses, by `require` of rxjs's exported `./internal/*` paths.
// rxjs publishes CommonJS for Node, and its index requires all of its ~220 modules: ~50 ms of a start on this host
// against ~15 ms for the eight used here (an ES `import` of the index, which has Node lex every re-export, cost
// ~160 ms). The types come from the package itself, and test/unit/package-subsets.test.ts checks that each value is the
// very one the index exports, so an rxjs upgrade that moves a module fails a test, not the daemon.
import { createRequire } from 'node:module';
import type * as Rx from 'rxjs';

const load = createRequire(import.meta.url);
const internal = <T>(path: string): T => load(`rxjs/internal/${path}`) as T;

export type { OperatorFunction } from 'rxjs';
export const { Observable } = internal<{ Observable: typeof Rx.Observable }>('Observable');
export const { Subject } = internal<{ Subject: typeof Rx.Subject }>('Subject');
export const { defer } = internal<{ defer: typeof Rx.defer }>('observable/defer');
export const { from } = internal<{ from: typeof Rx.from }>('observable/from');
export const { finalize } = internal<{ finalize: typeof Rx.finalize }>('operators/finalize');
export const { ignoreElements } = internal<{ ignoreElements: typeof Rx.ignoreElements }>('operators/ignoreElements');
export const { switchMap } = internal<{ switchMap: typeof Rx.switchMap }>('operators/switchMap');
export const { tap } = internal<{ tap: typeof Rx.tap }>('operators/tap');
// The classes are types too.
export type Observable<T> = Rx.Observable<T>;
export type Subject<T> = Rx.Subject<T>;
