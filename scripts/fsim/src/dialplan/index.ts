// The dialplan layer of fsim: FreeSWITCH's XML preprocessor and mod_dialplan_xml hunting.
export { FREESWITCH_BUILTIN_GLOBALS } from './builtin-globals.ts';
export { loadDialplan } from './dialplan.ts';
export type { Dialplan, HuntResult, LoadDialplanOptions } from './dialplan.ts';
export { DialplanError } from './errors.ts';
export { captureArray, compileFsRegex, expandVariables, substituteCaptures, switchTrue } from './expand.ts';
export type { ExpandOptions, VariableLookup } from './expand.ts';
export { checkWellFormed, expandPreprocessVars, glob, preprocess } from './preprocess.ts';
export type { Preprocessed, PreprocessState, SourceLine } from './preprocess.ts';
export { datetimeCheck } from './time.ts';
export { parseXml, parseXmlFragment, XmlSyntaxError } from './xml.ts';
export type { XmlElement } from './xml.ts';
