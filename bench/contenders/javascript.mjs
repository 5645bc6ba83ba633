// The pure-JS baselines on the main thread: offloop/reference's synchronous
// functions (the same loops the piscina workers run) and, for number[]
// inputs, the idiomatic `array.map(x => x * x)`.

export function referenceContender(call) {
  return { id: 'js-main', family: 'js-main', threads: 1, run: call };
}

export function arrayMapContender(array) {
  return { id: 'js-map', family: 'js-map', threads: 1, run: () => array.map((x) => x * x) };
}
