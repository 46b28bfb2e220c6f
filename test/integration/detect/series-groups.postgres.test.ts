/** Detection split over series groups, two real detect processes, on PostgreSQL (see series-groups-suite.ts). */
import { describeSeriesGroups } from './series-groups-suite.js';

describeSeriesGroups('postgres');
