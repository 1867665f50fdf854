// Loaded in <head>, before the page is drawn: the reader's last choice of theme (see theme.js),
// so that the wrong one never flashes; and a class saying scripts run, for what needs them.
document.documentElement.classList.add("js");
try {
  var chosen = localStorage.getItem("blogkit-theme");
  if (chosen === "light" || chosen === "dark") document.documentElement.dataset.theme = chosen;
} catch (e) {}
