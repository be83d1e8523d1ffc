// An ordinary production build of a React app: @faultline/react comes from node_modules as ESM (its
// dist/esm) and is bundled with the app and React, like any other dependency.
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import typescript from '@rollup/plugin-typescript';

export default {
  input: 'src/main.tsx',
  output: { file: 'dist/app.js', format: 'es', sourcemap: true },
  plugins: [
    // React picks its production build from NODE_ENV.
    replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
    typescript({ tsconfig: './tsconfig.json' }),
    // One copy of React, also for @faultline/react (a workspace link whose own node_modules may hold another).
    resolve({ browser: true, dedupe: ['react', 'react-dom'] }),
    commonjs(),
  ],
};
