// Both majors are installed under aliases; Express 5's types describe both for these tests.
declare module 'express4' {
  import express = require('express');
  export = express;
}
declare module 'express5' {
  import express = require('express');
  export = express;
}
