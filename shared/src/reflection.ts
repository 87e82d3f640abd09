import { create, type DescFile, type DescMessage, type DescService, toBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import {
  ServerReflection,
  type ServerReflectionRequest,
  type ServerReflectionResponse,
  ServerReflectionResponseSchema,
} from "./gen/grpc/reflection/v1/reflection_pb.js";

/**
 * gRPC server reflection (v1), so `buf curl` and grpcurl work without the .proto files and
 * `buf curl --list-methods` lists the API. connect-node has none built in; this answers the
 * three questions those tools ask from the generated descriptors.
 */
export function registerReflection(router: ConnectRouter, services: DescService[]): void {
  const index = indexFiles([...services, ServerReflection]);
  router.service(ServerReflection, {
    async *serverReflectionInfo(requests) {
      for await (const req of requests) yield answer(req, index, services);
    },
  });
}

interface FileIndex {
  byName: Map<string, DescFile>;
  bySymbol: Map<string, DescFile>;
}

function indexFiles(services: DescService[]): FileIndex {
  const byName = new Map<string, DescFile>();
  const bySymbol = new Map<string, DescFile>();
  const visit = (file: DescFile) => {
    const name = file.proto.name;
    if (byName.has(name)) return;
    byName.set(name, file);
    const addMessage = (m: DescMessage) => {
      bySymbol.set(m.typeName, file);
      for (const f of m.fields) bySymbol.set(`${m.typeName}.${f.name}`, file);
      for (const n of m.nestedMessages) addMessage(n);
      for (const e of m.nestedEnums) bySymbol.set(e.typeName, file);
    };
    for (const m of file.messages) addMessage(m);
    for (const e of file.enums) bySymbol.set(e.typeName, file);
    for (const x of file.extensions) bySymbol.set(x.typeName, file);
    for (const s of file.services) {
      bySymbol.set(s.typeName, file);
      for (const m of s.methods) bySymbol.set(`${s.typeName}.${m.name}`, file);
    }
    for (const dep of file.dependencies) visit(dep);
  };
  for (const s of services) visit(s.file);
  return { byName, bySymbol };
}

/** The file and everything it imports, dependencies first. */
function withDependencies(file: DescFile): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  const walk = (f: DescFile) => {
    if (seen.has(f.proto.name)) return;
    seen.add(f.proto.name);
    out.push(toBinary(FileDescriptorProtoSchema, f.proto));
    for (const d of f.dependencies) walk(d);
  };
  walk(file);
  return out;
}

function answer(req: ServerReflectionRequest, index: FileIndex, services: DescService[]): ServerReflectionResponse {
  const base = { validHost: req.host, originalRequest: req };
  const files = (file: DescFile | undefined, what: string) =>
    file
      ? create(ServerReflectionResponseSchema, {
          ...base,
          messageResponse: { case: "fileDescriptorResponse", value: { fileDescriptorProto: withDependencies(file) } },
        })
      : create(ServerReflectionResponseSchema, {
          ...base,
          messageResponse: { case: "errorResponse", value: { errorCode: 5, errorMessage: `${what} not found` } },
        });
  const r = req.messageRequest;
  switch (r.case) {
    case "listServices":
      return create(ServerReflectionResponseSchema, {
        ...base,
        messageResponse: {
          case: "listServicesResponse",
          value: { service: [...services.map((s) => ({ name: s.typeName })), { name: ServerReflection.typeName }] },
        },
      });
    case "fileByFilename":
      return files(index.byName.get(r.value), `file ${r.value}`);
    case "fileContainingSymbol":
      return files(index.bySymbol.get(r.value), `symbol ${r.value}`);
    default:
      return create(ServerReflectionResponseSchema, {
        ...base,
        messageResponse: { case: "errorResponse", value: { errorCode: 12, errorMessage: "not implemented" } },
      });
  }
}
