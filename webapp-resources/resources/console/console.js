/* The console's own few lines: theme choice (remembered in a cookie, else the system's), copy buttons,
   and Ajax failures shown as messages. */
var TokenRouter = {
  applyTheme: function (choice, light, dark) {
    var wantDark = choice === 'dark'
        || (choice === 'system' && window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.classList.toggle('tr-dark', wantDark);
    if (wantDark && choice === 'system') {
      document.addEventListener('DOMContentLoaded', function () { PrimeFaces.changeTheme(dark); });
    }
  },
  toggleTheme: function (light, dark) {
    var dark_ = !document.documentElement.classList.contains('tr-dark');
    document.cookie = 'tr_theme=' + (dark_ ? 'dark' : 'light') + '; path=/; max-age=31536000; SameSite=Strict';
    document.documentElement.classList.toggle('tr-dark', dark_);
    PrimeFaces.changeTheme(dark_ ? dark : light);
    document.dispatchEvent(new Event('tr-theme'));
  },
  copy: function (elementId, button) {
    var text = document.getElementById(elementId).textContent.trim();
    var done = function () {
      if (button) { button.setAttribute('data-copied', 'true'); button.querySelector('.ui-button-text').textContent = 'Copied'; }
    };
    var select = function () {
      var area = document.createElement('textarea');
      area.value = text; document.body.appendChild(area); area.select();
      document.execCommand('copy'); document.body.removeChild(area); done();
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, select);
    } else {
      select();
    }
    return false;
  },
  failed: function (message) {
    PF('growl') ? PF('growl').renderMessage({summary: message || 'The request failed', severity: 'error'})
        : alert(message || 'The request failed');
  }
};
