// Checks a request against the real AWS API shape of an operation, with the parameter validator
// of the botocore that the pinned AWS CLI vendors (.venv-awscli): member names, types, required
// members and nesting, exactly as `aws <service> <operation> --cli-input-json` would check them
// before sending anything. No network call is made.
import { execFile } from 'node:child_process';
import { ensureAwsCli } from './aws-cli-validate.js';

const PYTHON = `
import json, sys
from awscli.botocore.session import get_session
from awscli.botocore.validate import ParamValidator
request = json.load(sys.stdin)
shape = get_session().get_service_model(request["service"]).operation_model(request["operation"]).input_shape
report = ParamValidator().validate(request["params"], shape)
print(json.dumps([line.strip() for line in report.generate_report().splitlines()] if report.has_errors() else []))
`;

/** The problems botocore finds in params for service:operation; [] when the request is well formed. */
export async function shapeProblems(service: string, operation: string, params: unknown): Promise<string[]> {
  const aws = await ensureAwsCli();
  const python = aws.replace(/aws$/, 'python3');
  return new Promise((resolve, reject) => {
    const child = execFile(python, ['-c', PYTHON], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`botocore validation failed to run: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
    child.stdin!.end(JSON.stringify({ service, operation, params }));
  });
}
