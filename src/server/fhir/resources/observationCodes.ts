/** Code systems Observation and the NEWS2 score Observation share (one file, so neither imports the other). */
export const LOCAL_CODE = 'urn:clinic-workstation:observation-code';
export const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
