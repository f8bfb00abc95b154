// What every chart shares: no growing animation for those who asked their system for less motion.
(function () {
  if (!window.Chart) return;
  if (window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches) {
    window.Chart.defaults.animation = false;
  }
})();
