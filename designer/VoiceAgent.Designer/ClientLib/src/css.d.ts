// Stylesheets are imported for their side effect; esbuild writes them to designer.css.
declare module "*.css";
