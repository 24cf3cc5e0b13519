// RxJS as the daemon loads it. rxjs publishes CommonJS for Node; an ES `import` of it has Node lex every module its
// index re-exports for their export names, which took ~160 ms of start-up against ~90 ms for `require` (measured:
// `import('rxjs')` 157-163 ms, `require('rxjs')` 86-89 ms, Node 20). The values come from `require`, the types from
// the package, so the API is rxjs's own.
import { createRequire } from 'node:module';
import type * as Rx from 'rxjs';

const rx = createRequire(import.meta.url)('rxjs') as typeof Rx;

export type { OperatorFunction } from 'rxjs';
export const { defer, EMPTY, filter, finalize, from, ignoreElements, map, Observable, pipe, Subject, switchMap, tap } = rx;
// The classes are types too.
export type Observable<T> = Rx.Observable<T>;
export type Subject<T> = Rx.Subject<T>;
