// The Kubernetes manifests, checked without a cluster: every object against
// the Kubernetes OpenAPI schema of its API version (kubernetes-models), and the
// rules docs/operations.md promises (probes, resources, non-root, secrets only
// by reference, autoscaling and disruption budgets that point at something).
import assert from "node:assert/strict";
import * as k8s from "kubernetes-models";
import { parseAllDocuments } from "yaml";

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  // deno-lint-ignore no-explicit-any
  spec?: any;
}

const DIR = new URL("./", import.meta.url);
const files = [...Deno.readDirSync(DIR)]
  .map((e) => e.name)
  .filter((n) => n.endsWith(".yaml"))
  .sort();

function load(file: string): K8sObject[] {
  const text = Deno.readTextFileSync(new URL(file, DIR));
  return parseAllDocuments(text).map((doc) => {
    assert.deepEqual(doc.errors, [], `${file}: YAML errors`);
    return doc.toJS() as K8sObject;
  });
}

const kustomization = load("kustomization.yaml")[0] as unknown as { resources: string[] };
const objects = kustomization.resources.flatMap((file) =>
  load(file).map((object) => ({ file, object }))
);

/** The typed model class for an apiVersion/kind, e.g. apps/v1 Deployment → k8s.apps.v1.Deployment. */
function modelFor(apiVersion: string, kind: string): new (data: unknown) => { validate(): void } {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const groupKey = group === "" ? "" : group!.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());
  // deno-lint-ignore no-explicit-any
  const root = (groupKey === "" ? k8s : (k8s as any)[groupKey]) as any;
  const model = root?.[version!]?.[kind];
  assert.ok(model, `no Kubernetes model for ${apiVersion} ${kind}`);
  return model;
}

Deno.test("kustomization lists every manifest in ops/k8s", () => {
  assert.deepEqual(
    [...kustomization.resources].sort(),
    files.filter((f) => f !== "kustomization.yaml"),
  );
});

Deno.test("every object validates against its Kubernetes schema", () => {
  assert.ok(objects.length >= 10);
  for (const { file, object } of objects) {
    const Model = modelFor(object.apiVersion, object.kind);
    assert.doesNotThrow(
      () => new Model(object).validate(),
      `${file}: ${object.kind} ${object.metadata.name}`,
    );
  }
});

Deno.test("a broken manifest is refused (the check can fail)", () => {
  const Model = modelFor("apps/v1", "Deployment");
  const broken = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "x" }, spec: {} };
  assert.throws(() => new Model(broken).validate());
});

const deployments = objects.filter((o) => o.object.kind === "Deployment").map((o) => o.object);

Deno.test("every container has probes, resource requests, and runs as non-root", () => {
  for (const deployment of deployments) {
    const pod = deployment.spec.template.spec;
    assert.equal(pod.securityContext?.runAsNonRoot, true, deployment.metadata.name);
    for (const container of pod.containers) {
      const where = `${deployment.metadata.name}/${container.name}`;
      assert.ok(container.readinessProbe, `${where}: readiness probe`);
      assert.ok(container.livenessProbe, `${where}: liveness probe`);
      assert.ok(container.resources?.requests?.cpu, `${where}: cpu request`);
      assert.ok(container.resources?.requests?.memory, `${where}: memory request`);
      assert.equal(container.securityContext?.allowPrivilegeEscalation, false, where);
    }
  }
  const api = deployments.find((d) => d.metadata.name === "complianceiq-api")!;
  const probes = api.spec.template.spec.containers[0];
  assert.match(probes.readinessProbe.httpGet.path, /\/ready$/);
  assert.match(probes.livenessProbe.httpGet.path, /\/health$/);
});

Deno.test("secrets are only referenced, never written into the manifests", () => {
  assert.ok(!objects.some((o) => o.object.kind === "Secret"), "no Secret objects committed");
  const secretish = /TOKEN|SECRET|KEY|PASSWORD|DATABASE_URL/;
  for (const deployment of deployments) {
    for (const container of deployment.spec.template.spec.containers) {
      for (const env of container.env ?? []) {
        if (!secretish.test(env.name)) continue;
        assert.ok(env.valueFrom?.secretKeyRef, `${container.name}: ${env.name} by reference`);
      }
    }
  }
  const config = objects.find((o) => o.object.kind === "ConfigMap")!.object as unknown as {
    data: Record<string, string>;
  };
  for (const key of Object.keys(config.data)) {
    assert.ok(!/TOKEN|SECRET|PASSWORD|DATABASE_URL/.test(key), `ConfigMap holds ${key}`);
  }
});

Deno.test("autoscaling and disruption budgets point at deployments that exist", () => {
  const names = new Set(deployments.map((d) => d.metadata.name));
  const hpas = objects.filter((o) => o.object.kind === "HorizontalPodAutoscaler");
  assert.ok(hpas.length > 0);
  for (const { object } of hpas) {
    assert.ok(names.has(object.spec.scaleTargetRef.name));
    const kinds = object.spec.metrics.map((m: { type: string }) => m.type);
    assert.ok(kinds.includes("Resource") && kinds.includes("Pods"), "CPU and request rate");
  }
  for (const { object } of objects.filter((o) => o.object.kind === "PodDisruptionBudget")) {
    const selector = object.spec.selector.matchLabels;
    assert.ok(
      deployments.some((d) =>
        Object.entries(selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v)
      ),
      `${object.metadata.name} selects a deployment's pods`,
    );
  }
});
