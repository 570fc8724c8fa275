# The two commands of the README: `make demo` (the main job) and `make test`.
# Both create or refresh the virtual environment .venv in the repo (ignored by git) first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.seasky-installed

# ROS 2 Kilted core as PyPI wheels; rmw_fastrtps_cpp must be named or `import rclpy` fails.
ROS_WHEELS := ros-rclpy ros-sensor-msgs ros-std-msgs ros-geometry-msgs ros-diagnostic-msgs ros-rmw-fastrtps-cpp
# torch pinned: 2.13.0 resolves to the CPU wheel here; a bare `torch` pulls a multi-GB CUDA build.
PY_DEPS := torch==2.13.0 numpy opencv-python-headless pyyaml onnx onnxruntime rosbags tqdm matplotlib psutil
DEV_DEPS := pytest ruff colcon-common-extensions ros-ament-package

.PHONY: venv demo test lint mutants clean-venv

venv: $(STAMP)

$(STAMP): setup.py Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(PY_DEPS) $(ROS_WHEELS) $(DEV_DEPS)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m seasky_ros.demo

# One pytest process: test/conftest.py sets the Fast DDS profile before any participant exists
# (Fast DDS reads it once per process; see the comment there).
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# One-line mutations of core logic, each on a temporary copy, against the tests that should catch
# them (minutes; not part of `make test`).
mutants: $(STAMP)
	$(BIN)/python tools/mutants.py

lint: $(STAMP)
	$(BIN)/ruff check .

clean-venv:
	rm -rf $(VENV)
