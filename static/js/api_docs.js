// The API's reference (/api/docs): swagger-ui (vendored) reading /api/openapi.json. Reading only:
// no "try it out", whose writes from a page would need the session's CSRF token.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.url,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    supportedSubmitMethods: [],
    validatorUrl: null,
    defaultModelsExpandDepth: 0,
    deepLinking: false,
  });
})();
