// Functions the tests hand to wrapped browser APIs. They live in a file so that every engine gives
// their frames a location (JavaScriptCore gives none to code a WebDriver evaluated).
function inListener() {
  throw new Error('in a listener');
}
function inFrame() {
  throw new Error('in an animation frame');
}
function inXhrOnload() {
  throw new Error('in an XHR onload');
}
function inTimer() {
  throw new Error('in a timer');
}
