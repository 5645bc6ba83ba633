/**
 * Pure validation and normalisation of every public argument, shared by the
 * native entry point and the pure-JS reference: one module per kind of
 * argument, gathered here. Nothing here computes a result; everything throws
 * the errors of ./errors.js.
 */
export * from './validate-squares.js';
export * from './validate-image.js';
export * from './options.js';
