/* codec_priv — what the codec's files share: the opaque value is a
 * json_object. Nothing outside src/codec includes this. */
#ifndef TWOWAY_CODEC_PRIV_H
#define TWOWAY_CODEC_PRIV_H

#include <json-c/json.h>

#include "twoway/codec.h"

json_object *codec_json(const struct codec_val *v);
struct codec_val *codec_wrap(json_object *o);

#endif
