// XML → a tree through fast-xml-parser: an element is an object of its attributes and
// child elements (by name), its text under "#text" when it also has attributes or
// children, or the text itself when it has neither. Values stay strings: mappings
// convert them. An element that repeats becomes an array; `arrays` lists element
// names that are always arrays, so `[*]` works when a device has only one of them.
//
// fast-xml-parser takes a whole body at once. Before it does, the body is scanned in
// slices (the event loop served between two) and its elements and attributes counted
// and drawn from the probe's budget, so that what it builds is paid for beforehand; a
// large body is then parsed in a worker thread (xml-worker.ts), a small one in place.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { bodyText, breathe, SLICE_CHARS, UNLIMITED, type ParseLimits, type Parser } from './types.js';
import { parseXmlInWorker, XML_INLINE_BYTES, XML_OPTIONS } from './xml-worker.js';

export interface XmlOptions {
  arrays?: string[];
}

export function xmlParser(opts: XmlOptions): Parser {
  const arrays = new Set(opts.arrays ?? []);
  const arrayList = [...arrays];
  const parser = new XMLParser({
    ...XML_OPTIONS,
    isArray: (name, _jpath, _leaf, isAttribute) => !isAttribute && arrays.has(name),
  });
  return async (body, _contentType, limits = UNLIMITED) => {
    const refused = await countXml(body, limits);
    if (refused) return { ok: false, error: refused };
    if (body.length > XML_INLINE_BYTES) return parseXmlInWorker(body, arrayList, limits.due);
    const text = bodyText(body);
    const valid = XMLValidator.validate(text);
    if (valid !== true) return { ok: false, error: `invalid XML: ${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})` };
    try {
      return { ok: true, doc: parser.parse(text) as unknown };
    } catch (err) {
      return { ok: false, error: `invalid XML: ${(err as Error).message}` };
    }
  };
}

/** Draws the values the tree will hold (an element per `<`, an attribute per `=`) from the budget, a slice at a time. */
async function countXml(text: Buffer, limits: ParseLimits): Promise<string | undefined> {
  for (let i = 0; i < text.length; i += SLICE_CHARS) {
    const end = Math.min(text.length, i + SLICE_CHARS);
    let values = 0;
    for (let k = i; k < end; k++) {
      const c = text[k];
      if (c === 0x3c || c === 0x3d) values++;
    }
    const refused = limits.takeValues(values);
    if (refused) return refused;
    if (end < text.length) {
      const late = await breathe(limits);
      if (late) return late;
    }
  }
  return undefined;
}
