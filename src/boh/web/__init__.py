"""The web application: mounts every domain's API routes and console pages."""
