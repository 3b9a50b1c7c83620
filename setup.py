"""Map the top-level checks/, schemas/ and config/ folders into the wheel as preflight/_data/*."""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
DATA_DIRS = ("checks", "schemas", "config")


class BuildPyWithData(build_py):
    """Copy the runbooks, schemas and sample deployment into the built package."""

    def run(self) -> None:
        super().run()
        target_root = Path(self.build_lib) / "preflight" / "_data"
        for name in DATA_DIRS:
            source = HERE / name
            for path in sorted(source.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    dest = target_root / name / path.relative_to(source)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    dest.write_bytes(path.read_bytes())


setup(cmdclass={"build_py": BuildPyWithData})
