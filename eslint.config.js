/**
 * Lint: typescript-eslint's recommended rules, React's hook rules for the renderer, and the layering
 * rule the architecture rests on (docs/architecture.md), enforced by eslint-plugin-boundaries:
 *   - nothing in src/ imports electron (the package or the electron/ shell);
 *   - the renderer imports only types from src/, and nothing from electron/ or Node's built-ins;
 *   - in electron/, only main.ts and preload.ts import electron (the rest runs under plain Node in tests).
 * tests/unit/lint.test.ts proves the layering rule fires on violating files (canaries).
 */
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export const LAYERS = [
  { type: 'renderer', pattern: 'renderer/src/**', partialMatch: false },
  { type: 'electron', pattern: 'electron/**', partialMatch: false },
  { type: 'src', pattern: 'src/**', partialMatch: false },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist-renderer/**',
      'dist-electron/**',
      'release/**',
      'test-results/**',
      '.tmp/**',
      'bench/.cache/**',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-empty-pattern': 'off',
      // A type is imported as a type: the renderer may import only types from src/, and an import that
      // says so is erased at build time instead of pulling a module in for its side effects.
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
    },
  },
  {
    // Tests read loosely typed JSON answers and fixtures.
    files: ['tests/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    files: ['src/**/*.ts', 'electron/**/*.ts', 'renderer/src/**/*.ts', 'renderer/src/**/*.tsx'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': LAYERS,
      // The shell's two entry points, the only files of electron/ that run inside Electron itself.
      'boundaries/files': [{ category: 'shell-entry', pattern: 'electron/{main,preload}.ts' }],
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          checkAllOrigins: true,
          policies: [
            {
              from: { element: { type: 'src' } },
              disallow: [{ to: { module: { source: 'electron' } } }, { to: { element: { types: ['electron', 'renderer'] } } }],
              message: 'src/ must not depend on Electron or the UI: it runs under plain Node on the workstation and the server.',
            },
            {
              from: { element: { type: 'electron' } },
              disallow: [{ to: { module: { source: 'electron' } } }, { to: { element: { type: 'renderer' } } }],
              message:
                'Only electron/main.ts and electron/preload.ts may import electron: the handlers and the rest of the shell run under plain Node in tests.',
            },
            { from: { file: { categories: 'shell-entry' } }, allow: { to: { module: { source: 'electron' } } } },
            {
              from: { element: { type: 'renderer' } },
              disallow: [{ to: { element: { type: 'src' } }, dependency: { kind: 'value' } }],
              message:
                'The renderer may import only types from src/ (use `import type`): its data comes through the preload bridge.',
            },
            {
              from: { element: { type: 'renderer' } },
              disallow: [
                { to: { element: { type: 'electron' } } },
                { to: { module: { source: 'electron' } } },
                { to: { module: { origin: 'core' } } },
              ],
              message: 'The renderer must not import the Electron shell, electron or Node built-ins: it is a sandboxed web page.',
            },
          ],
        },
      ],
    },
  },
);
