"""{{ cookiecutter.project_name }}.

A local open data app configured by place.toml, running on the local-data-app engine.
"""
