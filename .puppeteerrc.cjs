// whatsapp-web.js pulls in puppeteer, whose postinstall would download Chrome: this machine and CI
// have no internet but the npm registry. We use Debian's chromium (CHROMIUM_PATH) instead.
module.exports = { skipDownload: true };
