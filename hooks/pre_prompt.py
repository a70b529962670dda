"""Let cookiecutter find the project tree inside ``template/``.

Cookiecutter only looks for the project folder beside ``cookiecutter.json``;
copier reads it from ``template/`` through ``_subdirectory``. This hook runs in
cookiecutter's temporary copy of the template, so moving the folder up there
leaves the template itself untouched.
"""

import shutil
from pathlib import Path

PROJECT_TREE = "{{cookiecutter.project_slug}}"

shutil.move(str(Path("template", PROJECT_TREE)), PROJECT_TREE)
