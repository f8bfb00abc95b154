// Loaded first, before the page is drawn: this browser runs scripts, so the menu's fallbacks for
// one that does not (site.css, under `.no-js`) give way to Bootstrap's own dropdowns and toggler.
document.documentElement.classList.remove("no-js");
