/** Detection split over series groups, two real detect processes, on SQLite (see series-groups-suite.ts). */
import { describeSeriesGroups } from './series-groups-suite.js';

describeSeriesGroups('sqlite');
