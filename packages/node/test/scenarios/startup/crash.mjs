// An ES module app that crashes right after init, before the code that builds events is loaded.
import { init } from '@faultline/node';

init({ release: 'crash@1.0.0', spoolDir: false });

function explode() {
  throw new Error('right after init');
}
explode();
