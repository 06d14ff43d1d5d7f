/**
 * The one catalogue of cases every lane runs: cpu in Node here, and each
 * browser lane (cpu, WebGL variants) through the browser harness.
 */
import {TestCase} from './case';
import {errorCases} from './error_cases';
import {fuzzCases} from './fuzz_cases';
import {gradientCases} from './gradient_cases';
import {linearCases} from './linear_cases';
import {lossKernelCases} from './loss_kernel_cases';
import {lossKernelOptionCases} from './loss_kernel_option_cases';
import {memoryCases} from './memory_cases';
import {optionCases} from './option_cases';
import {predictionCases} from './prediction_cases';
import {soakCases} from './soak_cases';
import {valueCases} from './values_cases';

export {CaseContext, TestCase, tolerancesFor} from './case';

export const catalogue: TestCase[] =
    [...valueCases, ...gradientCases, ...lossKernelCases, ...lossKernelOptionCases,
      ...errorCases,
      ...memoryCases, ...fuzzCases, ...soakCases, ...linearCases,
      ...optionCases, ...predictionCases];
