// An ordinary app build: @faultline/browser comes from node_modules as ESM (its dist/esm) and is
// bundled with the app, like any other dependency.
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';

export default {
  input: 'src/main.js',
  output: { file: 'dist/app.js', format: 'es', sourcemap: true },
  plugins: [resolve({ browser: true }), commonjs()],
};
