/**
 * The writes of attendance (issue 4 point 4), registered with the builder in one import:
 * the trainer's roster, self check-in, the CSV import and the online platform's feed.
 */
import './attendance.mutations';
import './checkin.schema';
import './attendance-import.schema';
import './online-study.schema';
