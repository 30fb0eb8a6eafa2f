// Interactive documentation of /v1 and /api. "Authorize" takes a TokenRouter key.
window.ui = SwaggerUIBundle({
  url: "../api/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: false
});
