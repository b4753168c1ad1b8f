/* Sizes the models share; a model includes this header, so editing it reruns strata. */
#ifndef NOTES_LIMITS_H
#define NOTES_LIMITS_H

#define NOTES_TITLE_SIZE 81 /* VARCHAR(80) */

#endif
