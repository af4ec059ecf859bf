#!/usr/bin/python3
"""Checks the deployment files in deploy/ against the service they deploy.

    tests/deploy/deploy_test.py VIGIL_BINARY SOURCE_DIR

What cannot run here (docker build, a Kubernetes cluster, systemd as PID 1)
is checked as far as it can be without them:
- the Kubernetes manifests parse, fit together (selectors, ports, probes,
  mounts, the lexicon ConfigMap's keys) and hand vigil only config keys and
  flags it knows (`vigil serve --check-config` with the ConfigMap's config
  and the Deployment's args);
- the Dockerfile's runtime packages provide every shared library the vigil
  binary needs (ldd + dpkg -S), and its config and command are valid;
- the systemd unit passes `systemd-analyze verify` and its command is valid;
- `vigil health`, which the image's HEALTHCHECK runs, tells a serving server
  from a missing one;
- the Prometheus rules (deploy/prometheus/vigil-alerts.yml) pass `promtool
  check rules` and their unit tests (`promtool test rules`); MetricsTest
  checks that they name only metrics vigil exports.
"""
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time
import unittest

try:
    import yaml
except ImportError:  # python3-yaml; tools/setup.sh --test installs it
    print("SKIP: python3-yaml is not installed")
    sys.exit(77)

VIGIL = None
ROOT = None


def deploy(*parts):
    return os.path.join(ROOT, "deploy", *parts)


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def check_config(config_text, args):
    """Runs `vigil serve --check-config` on a config text and flags."""
    with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
        f.write(config_text)
        path = f.name
    try:
        args = [a if a != "@CONFIG@" else path for a in args]
        result = subprocess.run([VIGIL, "serve", *args, "--check-config"],
                                capture_output=True, text=True, timeout=30)
    finally:
        os.unlink(path)
    settings = {}
    for line in result.stdout.splitlines():
        key, _, value = line.partition(" ")
        settings[key] = value
    return result, settings


def port_of(listen):
    return int(listen.rsplit(":", 1)[1])


class KubernetesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.objects = {}
        for name in sorted(os.listdir(deploy("k8s"))):
            if name.endswith(".yaml"):
                for doc in load_yaml(deploy("k8s", name)):
                    name_ = doc.get("metadata", {}).get("name", name)
                    cls.objects[(doc["kind"], name_)] = doc
        cls.deployment = cls.objects[("Deployment", "vigil")]
        cls.pod = cls.deployment["spec"]["template"]
        cls.container = cls.pod["spec"]["containers"][0]
        cls.config_text = cls.objects[("ConfigMap", "vigil-config")]["data"]["vigil.conf"]

    def test_every_manifest_parses_with_the_kinds_expected(self):
        kinds = {kind for kind, _ in self.objects}
        for kind in ("Namespace", "ConfigMap", "Deployment", "Service",
                     "HorizontalPodAutoscaler", "PodDisruptionBudget", "Secret",
                     "Kustomization"):
            self.assertIn(kind, kinds)
        for (kind, name), doc in self.objects.items():
            self.assertIn("apiVersion", doc, name)
            if kind not in ("Namespace", "Kustomization"):
                self.assertEqual(doc["metadata"].get("namespace"), "vigil", name)
        listed = load_yaml(deploy("k8s", "kustomization.yaml"))[0]["resources"]
        for resource in listed:
            self.assertTrue(os.path.exists(deploy("k8s", resource)), resource)
        self.assertNotIn("secret.example.yaml", listed)  # no secrets applied by default

    def test_config_and_args_use_only_what_vigil_knows(self):
        args = []
        for arg in self.container["args"]:
            # Kubernetes expands $(VAR) from the container's env.
            args.append(re.sub(r"\$\(VIGIL_STORE_URL\)",
                               "postgresql://vigil:secret@db:5432/vigil", arg))
        self.assertEqual(args[0], "serve")
        config_path = args[args.index("--config") + 1]
        args = [a if a != config_path else "@CONFIG@" for a in args[1:]]
        result, settings = check_config(self.config_text, args)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(settings["store"].startswith("postgresql://"))
        self.assertNotIn("secret", settings["store"])  # redacted in output
        self.assertGreater(int(settings["lexicon_watch_seconds"]), 0)
        # Every file the config names lies in a mounted volume, and so does
        # the config itself.
        mounts = [m["mountPath"] for m in self.container["volumeMounts"]]
        for key in ("lexicons", "tokens", "tls_cert", "tls_key"):
            self.assertTrue(settings[key], key)
            self.assertTrue(any(settings[key].startswith(m + "/") or settings[key] == m
                                for m in mounts), f"{key} {settings[key]} is not mounted")
        self.assertTrue(any(config_path.startswith(m + "/") for m in mounts))
        # The ports vigil listens on are the container's ports, the probes
        # use the health port, Prometheus scrapes the metrics port.
        ports = {p["name"]: p["containerPort"] for p in self.container["ports"]}
        self.assertEqual(ports["grpc"], port_of(settings["listen"]))
        self.assertEqual(ports["http"], port_of(settings["http_listen"]))
        self.assertEqual(ports["metrics"], port_of(settings["metrics_listen"]))
        self.assertEqual(ports["health"], port_of(settings["health_listen"]))
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            self.assertEqual(self.container[probe]["grpc"]["port"], ports["health"], probe)
        annotations = self.pod["metadata"]["annotations"]
        self.assertEqual(annotations["prometheus.io/scrape"], "true")
        self.assertEqual(int(annotations["prometheus.io/port"]), ports["metrics"])
        self.assertEqual(annotations["prometheus.io/path"], "/metrics")

    def test_a_config_with_an_unknown_key_is_refused(self):
        # The check above can fail: an unknown key (or flag) is an error.
        result, _ = check_config(self.config_text + "\nlisten_port: 1\n",
                                 ["--config", "@CONFIG@"])
        self.assertEqual(result.returncode, 2)
        self.assertIn("listen_port", result.stderr)
        result, _ = check_config(self.config_text, ["--config", "@CONFIG@", "--bogus", "1"])
        self.assertEqual(result.returncode, 2)

    def test_the_pod_runs_unprivileged_on_a_read_only_root(self):
        pod_security = self.pod["spec"]["securityContext"]
        self.assertTrue(pod_security["runAsNonRoot"])
        self.assertNotEqual(pod_security["runAsUser"], 0)
        self.assertEqual(pod_security["seccompProfile"]["type"], "RuntimeDefault")
        security = self.container["securityContext"]
        self.assertTrue(security["readOnlyRootFilesystem"])
        self.assertFalse(security["allowPrivilegeEscalation"])
        self.assertEqual(security["capabilities"]["drop"], ["ALL"])
        resources = self.container["resources"]
        self.assertIn("cpu", resources["requests"])
        self.assertIn("memory", resources["requests"])
        self.assertIn("memory", resources["limits"])
        # Tokens and the store URL come from Secrets, not the ConfigMap.
        volumes = {v["name"]: v for v in self.pod["spec"]["volumes"]}
        self.assertEqual(volumes["tokens"]["secret"]["secretName"], "vigil-tokens")
        self.assertEqual(volumes["tls"]["secret"]["secretName"], "vigil-tls")
        env = {e["name"]: e for e in self.container["env"]}
        self.assertEqual(env["VIGIL_STORE_URL"]["valueFrom"]["secretKeyRef"]["name"], "vigil-store")
        self.assertNotIn("postgresql://", self.config_text.replace("# ", ""))

    def test_services_hpa_and_pdb_select_the_pods(self):
        labels = self.pod["metadata"]["labels"]
        self.assertEqual(self.deployment["spec"]["selector"]["matchLabels"], labels)
        port_names = {p["name"] for p in self.container["ports"]}
        services = [doc for (kind, _), doc in self.objects.items() if kind == "Service"]
        self.assertEqual(len(services), 2)
        self.assertTrue(any(s["spec"].get("clusterIP") == "None" for s in services),
                        "a headless Service for client-side round-robin")
        for service in services:
            self.assertEqual(service["spec"]["selector"], labels)
            for port in service["spec"]["ports"]:
                self.assertIn(port["targetPort"], port_names)
        hpa = self.objects[("HorizontalPodAutoscaler", "vigil")]
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["kind"], "Deployment")
        self.assertEqual(hpa["spec"]["scaleTargetRef"]["name"], "vigil")
        self.assertGreaterEqual(hpa["spec"]["minReplicas"], 2)
        pdb = self.objects[("PodDisruptionBudget", "vigil")]
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"], labels)

    def test_lexicon_configmap_and_its_mount_agree(self):
        made = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "k8s_lexicons.py"),
                               "--lexicons", os.path.join(ROOT, "lexicons")],
                              capture_output=True, text=True, check=True)
        listed = yaml.safe_load(made.stdout)  # JSON is YAML
        self.assertEqual(listed["kind"], "List")
        configmaps = {c["metadata"]["name"]: c for c in listed["items"]}
        self.assertIn("vigil-lexicons", configmaps)
        for name, c in configmaps.items():
            self.assertEqual(c["kind"], "ConfigMap")
            size = sum(len(k.encode()) + len(v.encode()) for k, v in c["data"].items())
            self.assertLessEqual(size, 1024 * 1024, name)
        # One projected volume holds every ConfigMap, each file at its path.
        volumes = {v["name"]: v for v in self.pod["spec"]["volumes"]}
        sources = [s["configMap"] for s in volumes["lexicons"]["projected"]["sources"]]
        self.assertEqual({s["name"] for s in sources}, set(configmaps),
                         "deployment.yaml's lexicon sources are out of date: "
                         "one per ConfigMap tools/k8s_lexicons.py makes")
        paths = {}
        for source in sources:
            data = configmaps[source["name"]]["data"]
            self.assertEqual({i["key"] for i in source["items"]}, set(data),
                             "deployment.yaml's lexicon items are out of date: "
                             "list every key tools/k8s_lexicons.py makes")
            for item in source["items"]:
                paths[item["path"]] = data[item["key"]]
        # Every file as it is in lexicons/, but for the manifest's language
        # model, which the pod reads from the image (not a ConfigMap).
        image = "/usr/share/vigil/lexicons"
        self.assertIn(f"COPY lexicons {image}", open(deploy("docker", "Dockerfile")).read())
        model = [l for l in paths["manifest.tsv"].splitlines()
                 if l.startswith("language_model\t")]
        self.assertEqual(len(model), 1)
        self.assertTrue(model[0].split("\t")[1].startswith(image + "/lm/"), model)
        for path, text in paths.items():
            with open(os.path.join(ROOT, "lexicons", path), encoding="utf-8") as f:
                self.assertEqual(f.read(), text.replace(image + "/", ""), path)
        # The mounted files form a lexicon vigil loads (with the image's
        # lexicons at lexicons/).
        with tempfile.TemporaryDirectory() as d:
            for path, text in paths.items():
                full = os.path.join(d, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w", encoding="utf-8") as f:
                    f.write(text.replace(image, os.path.join(ROOT, "lexicons")))
            lint = subprocess.run([VIGIL, "lexicon", "lint", d],
                                  capture_output=True, text=True)
            self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)


class DockerfileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(deploy("docker", "Dockerfile"), encoding="utf-8") as f:
            cls.text = f.read()
        # Join continued lines.
        cls.lines = re.sub(r"\\\n\s*", " ", cls.text).splitlines()

    def instructions(self, name):
        return [l[len(name) + 1:].strip() for l in self.lines if l.startswith(name + " ")]

    def test_two_debian_12_stages_and_an_unprivileged_user(self):
        self.assertEqual(self.instructions("FROM"), ["debian:12 AS build", "debian:12-slim"])
        self.assertEqual(self.instructions("USER"), ["10001:10001"])
        for source in re.findall(r"^COPY (?!--from)(\S+)", self.text, re.M):
            self.assertTrue(os.path.exists(os.path.join(ROOT, source)), source)

    def test_runtime_packages_provide_every_library(self):
        block = self.text.split("# runtime-packages-begin")[1].split("# runtime-packages-end")[0]
        block = re.sub(r"\\\n", " ", block)
        packages = set(block.split("--no-install-recommends")[1].split("&&")[0].split())
        # The libraries the binary names (NEEDED); what those need in turn
        # comes with their packages' dependencies.
        dynamic = subprocess.run(["objdump", "-p", VIGIL], capture_output=True,
                                 text=True, check=True)
        names = re.findall(r"^\s*NEEDED\s+(\S+)", dynamic.stdout, re.M)
        if any(n.startswith(("libasan", "libubsan", "libtsan")) for n in names):
            self.skipTest("a sanitizer build; the image ships a plain build")
        ldd = subprocess.run(["ldd", VIGIL], capture_output=True, text=True, check=True)
        where = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd.stdout, re.M))
        needed = [where[name] for name in names if name in where]
        self.assertEqual(len(needed), len(names), f"ldd cannot find some of {names}")
        self.assertGreater(len(needed), 5)
        base = {"libc6"}  # in every Debian image
        for path in needed:
            real = os.path.realpath(path)
            owner = None
            for candidate in (path, real, "/usr" + path if not path.startswith("/usr") else path,
                              "/usr" + real if not real.startswith("/usr") else real):
                found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
                if found.returncode == 0:
                    owner = found.stdout.split(":")[0]
                    break
            if owner is None:
                self.fail(f"no Debian package owns {path}")
            self.assertTrue(owner in packages or owner in base,
                            f"{path} comes from {owner}, which the runtime stage does not install")

    def test_default_config_command_and_healthcheck(self):
        with open(deploy("docker", "vigil.conf"), encoding="utf-8") as f:
            config = f.read()
        cmd = json.loads(self.instructions("CMD")[0])
        self.assertEqual(json.loads(self.instructions("ENTRYPOINT")[0]), ["/usr/bin/vigil"])
        self.assertEqual(cmd[:3], ["serve", "--config", "/etc/vigil/vigil.conf"])
        result, settings = check_config(config, ["--config", "@CONFIG@", *cmd[3:]])
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(settings["lexicons"], "/usr/share/vigil/lexicons")
        exposed = {int(p) for p in self.instructions("EXPOSE")[0].split()}
        self.assertEqual(exposed, {port_of(settings[k]) for k in
                                   ("listen", "http_listen", "metrics_listen", "health_listen")})
        health = [l for l in self.lines if l.startswith("HEALTHCHECK ")][0]
        probe = json.loads(health.split("CMD", 1)[1])
        self.assertEqual(probe[:2], ["/usr/bin/vigil", "health"])
        self.assertEqual(probe[probe.index("--target") + 1],
                         f"127.0.0.1:{port_of(settings['health_listen'])}")


class SystemdTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(deploy("systemd", "vigil.service"), encoding="utf-8") as f:
            cls.unit = f.read()
        cls.settings = {}
        for line in cls.unit.splitlines():
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                cls.settings.setdefault(key, []).append(value)

    def test_hardening(self):
        s = self.settings
        self.assertEqual(s["DynamicUser"], ["yes"])
        self.assertEqual(s["ProtectSystem"], ["strict"])
        self.assertEqual(s["StateDirectory"], ["vigil"])
        self.assertEqual(s["NoNewPrivileges"], ["yes"])
        self.assertEqual(s["CapabilityBoundingSet"], [""])
        self.assertEqual(s["ExecReload"], ["/bin/kill -HUP $MAINPID"])

    def test_command_is_valid(self):
        command = shlex.split(self.settings["ExecStart"][0])
        self.assertEqual(command[:2], ["/usr/bin/vigil", "serve"])
        with open(deploy("systemd", "vigil.conf"), encoding="utf-8") as f:
            config = f.read()
        args = ["@CONFIG@" if a == "/etc/vigil/vigil.conf" else a for a in command[2:]]
        result, settings = check_config(config, args)
        self.assertEqual(result.returncode, 0, result.stderr)
        # The store is in the StateDirectory, the one writable place.
        self.assertTrue(settings["store"].startswith("sqlite:/var/lib/vigil/"))

    def test_systemd_analyze_verify(self):
        if subprocess.run(["which", "systemd-analyze"], capture_output=True).returncode != 0:
            self.skipTest("systemd-analyze is missing (package systemd)")
        with tempfile.TemporaryDirectory() as d:
            # verify checks that ExecStart's binary exists: point it at ours.
            path = os.path.join(d, "vigil.service")
            with open(path, "w", encoding="utf-8") as f:
                f.write(self.unit.replace("/usr/bin/vigil", os.path.abspath(VIGIL)))
            result = subprocess.run(["systemd-analyze", "verify", path],
                                    capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stderr.strip(), "", "verify warned")
            # A broken unit fails: the check can fail.
            with open(path, "a", encoding="utf-8") as f:
                f.write("[Service]\nProtectSystem=sideways\n")
            broken = subprocess.run(["systemd-analyze", "verify", path],
                                    capture_output=True, text=True)
            self.assertIn("sideways", broken.stderr)


def find_promtool():
    """promtool on PATH, or where `tools/setup.sh --test` unpacks it."""
    for path in os.environ.get("PATH", "").split(os.pathsep):
        candidate = os.path.join(path, "promtool")
        if os.access(candidate, os.X_OK):
            return candidate
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache")
    candidate = os.path.join(cache, "vigil", "bin", "promtool")
    return candidate if os.access(candidate, os.X_OK) else None


class PrometheusRulesTest(unittest.TestCase):
    def require_promtool(self):
        self.promtool = find_promtool()
        if self.promtool is None:
            message = "promtool is missing (tools/setup.sh --test unpacks it)"
            if os.environ.get("VIGIL_REQUIRE_SHARED") == "1":
                self.fail(message)  # CI: the setup step must have fetched it
            self.skipTest(message)

    def promtool_run(self, *args):
        return subprocess.run([self.promtool, *args], capture_output=True,
                              text=True, cwd=deploy("prometheus"))

    def test_rules_check_and_pass_their_unit_tests(self):
        self.require_promtool()
        check = self.promtool_run("check", "rules", "vigil-alerts.yml")
        self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        tested = self.promtool_run("test", "rules", "vigil-alerts.test.yml")
        self.assertEqual(tested.returncode, 0, tested.stdout + tested.stderr)
        self.assertIn("SUCCESS", tested.stdout)

    def test_unit_tests_can_fail(self):
        self.require_promtool()
        # The same tests expecting the jump in the wrong category must fail.
        with open(deploy("prometheus", "vigil-alerts.test.yml"),
                  encoding="utf-8") as f:
            tests = f.read()
        wrong = tests.replace("{severity: ticket, category: scam}",
                              "{severity: ticket, category: hate}")
        self.assertNotEqual(wrong, tests)
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "t.yml"), "w", encoding="utf-8") as f:
                f.write(wrong.replace("- vigil-alerts.yml",
                                      "- " + deploy("prometheus", "vigil-alerts.yml")))
            result = subprocess.run([self.promtool, "test", "rules", "t.yml"],
                                    capture_output=True, text=True, cwd=d)
        self.assertNotEqual(result.returncode, 0, result.stdout)


class HealthCommandTest(unittest.TestCase):
    def test_serving_and_missing(self):
        with tempfile.TemporaryDirectory() as d:
            server = subprocess.Popen(
                [VIGIL, "serve", "--listen", "127.0.0.1:0", "--http-listen", "",
                 "--metrics-listen", "", "--health-listen", "127.0.0.1:0",
                 "--lexicons", os.path.join(ROOT, "tests", "fixtures", "lexicon"),
                 "--store", "sqlite::memory:"],
                stderr=subprocess.PIPE, text=True)
            try:
                line = ""
                deadline = time.time() + 20
                while "event=serving" not in line and time.time() < deadline:
                    line = server.stderr.readline()
                port = re.search(r"health_port=(\d+)", line).group(1)
                ok = subprocess.run([VIGIL, "health", "--target", f"127.0.0.1:{port}"],
                                    capture_output=True, text=True)
                self.assertEqual(ok.returncode, 0, ok.stderr)
                self.assertEqual(ok.stdout.strip(), "SERVING")
            finally:
                server.terminate()
                server.wait(timeout=30)
                server.stderr.close()
            gone = subprocess.run([VIGIL, "health", "--target", f"127.0.0.1:{port}",
                                   "--timeout-ms", "500"], capture_output=True, text=True)
            self.assertEqual(gone.returncode, 1)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: deploy_test.py VIGIL_BINARY SOURCE_DIR")
    VIGIL, ROOT = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    unittest.main(argv=sys.argv[:1] + sys.argv[3:], verbosity=2)
