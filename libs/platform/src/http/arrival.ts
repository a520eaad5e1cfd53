import type { NextFunction, Request, Response } from 'express';

const ARRIVED = Symbol('arrivedAt');

type Stamped = { [ARRIVED]?: number };

/**
 * An Express middleware, the first of every service: notes when each request arrived (performance.now()),
 * so that what measures a request's time — the admission gate — counts the parsing, the guards and the
 * waits for the event loop before it, as the client does.
 */
export function stampArrival(request: Request, _response: Response, next: NextFunction): void {
  (request as Stamped)[ARRIVED] = performance.now();
  next();
}

/** When the request arrived ({@link stampArrival}); undefined for one that did not pass it. */
export function arrivalOf(request: unknown): number | undefined {
  return typeof request === 'object' && request !== null ? (request as Stamped)[ARRIVED] : undefined;
}
