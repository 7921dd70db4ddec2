import { expect } from "vitest";

/**
 * vitest's asymmetric string matchers, typed `unknown` instead of `any`: they fit a property of a
 * toMatchObject/toEqual pattern just as well, without an `any` in the object literal.
 */
export const containing = (text: string): unknown => expect.stringContaining(text);
export const matching = (pattern: string | RegExp): unknown => expect.stringMatching(pattern);
