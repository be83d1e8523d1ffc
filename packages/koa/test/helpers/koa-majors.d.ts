// Both majors are installed under aliases; @types/koa describes both for these tests.
declare module 'koa2' {
  import Koa = require('koa');
  export = Koa;
}
declare module 'koa3' {
  import Koa = require('koa');
  export = Koa;
}
