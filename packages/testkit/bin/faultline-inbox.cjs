#!/usr/bin/env node
'use strict';
require('../dist/cjs/cli.cjs').main();
