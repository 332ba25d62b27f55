// `npm run formats:compile`: validate analyzer/formats/*.yml and store them as analyzer/formats/catalog.compiled.json,
// which the analyzer loads instead of parsing YAML at every start (while its hash matches the YAML files).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUILTIN_FORMATS_DIR,
  COMPILED_CATALOG_FILE,
  compiledCatalogJson,
} from '../analyzer/src/parse/catalog/load.ts';

const path = join(BUILTIN_FORMATS_DIR, COMPILED_CATALOG_FILE);
writeFileSync(path, compiledCatalogJson());
console.log(`wrote ${path}`);
