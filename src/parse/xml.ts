// XML → a tree through fast-xml-parser: an element is an object of its attributes and
// child elements (by name), its text under "#text" when it also has attributes or
// children, or the text itself when it has neither. Values stay strings: mappings
// convert them. An element that repeats becomes an array; `arrays` lists element
// names that are always arrays, so `[*]` works when a device has only one of them.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { bodyText, type Parser } from './types.js';

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
  return (body) => {
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
