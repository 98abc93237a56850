// XML → a tree through fast-xml-parser: an element is an object of its attributes and
// child elements (by name), its text under "#text" when it also has attributes or
// children, or the text itself when it has neither. Values stay strings: mappings
// convert them. An element that repeats becomes an array; `arrays` lists element
// names that are always arrays, so `[*]` works when a device has only one of them.
//
// fast-xml-parser takes a whole body at once. Before it does, the body is scanned in
// slices (the event loop served between two) and its elements and attributes counted
// and drawn from the probe's budget, so that what it builds is paid for beforehand; the
// parse itself still runs in one piece (measured: ~25 ms per MiB of small elements,
// validation included), which the format being the module's choice, never the
// device's, and max_response_bytes bound.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { bodyText, breathe, SLICE_CHARS, UNLIMITED, type ParseLimits, type Parser } from './types.js';

export interface XmlOptions {
  arrays?: string[];
}

export function xmlParser(opts: XmlOptions): Parser {
  const arrays = new Set(opts.arrays ?? []);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    trimValues: true,
    processEntities: true,
    isArray: (name, _jpath, _leaf, isAttribute) => !isAttribute && arrays.has(name),
  });
  return async (body, _contentType, limits = UNLIMITED) => {
    const text = bodyText(body);
    const refused = await countXml(text, limits);
    if (refused) return { ok: false, error: refused };
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
async function countXml(text: string, limits: ParseLimits): Promise<string | undefined> {
  for (let i = 0; i < text.length; i += SLICE_CHARS) {
    const end = Math.min(text.length, i + SLICE_CHARS);
    let values = 0;
    for (let k = i; k < end; k++) {
      const c = text.charCodeAt(k);
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
