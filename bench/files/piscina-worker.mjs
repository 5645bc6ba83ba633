// A piscina worker of the files benchmark: one file through the pure-JS pipeline.
import { grayFileInJs } from './js-pipeline.mjs';

export default function grayFile({ input, output, format }) {
  return grayFileInJs(input, output, format);
}
