//! Trino's array functions where DataFusion's differ: `element_at(array, index)` (from 1,
//! negative from the end, NULL out of range) and `contains(array, element)` (NULL when not
//! found but the array holds NULLs). `contains(text, substring)` keeps DataFusion's meaning, so
//! queries written for either still run. Maps are not supported (a sync lake holds none).

use std::sync::Arc;

use arrow::array::{Array, AsArray, BooleanArray, UInt64Array};
use arrow::compute::{cast, take};
use arrow::datatypes::DataType;
use datafusion::common::{Result, exec_err, plan_err};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl};

use super::args::text_arg;
use super::{TrinoFunction, argument_arrays, scalar_or_array, udf};

/// The functions of this module, for registration.
pub fn functions() -> Vec<Arc<dyn ScalarUDFImpl>> {
    vec![udf(ElementAt), udf(Contains)]
}

/// `element_at(array, index)`.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct ElementAt;

impl TrinoFunction for ElementAt {
    const NAME: &str = "element_at";
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [list @ DataType::List(_), index] if index.is_integer() => {
                Ok(vec![list.clone(), DataType::Int64])
            }
            [DataType::Map(..), _] => {
                plan_err!("element_at on maps is not supported; use map_extract")
            }
            _ => plan_err!(
                "element_at takes an array and an index from 1: element_at(split(x, ','), 1)"
            ),
        }
    }
    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        match &types[0] {
            DataType::List(field) => Ok(field.data_type().clone()),
            other => plan_err!("element_at takes an array, got {other}"),
        }
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;

        let lists = arrays[0].as_list::<i32>();
        let indexes = arrays[1].as_primitive::<arrow::datatypes::Int64Type>();
        let offsets = lists.value_offsets();
        let mut positions = Vec::with_capacity(args.number_rows);
        for row in 0..args.number_rows {
            if lists.is_null(row) || indexes.is_null(row) {
                positions.push(None);
                continue;
            }
            let (start, len) = (
                offsets[row] as i64,
                (offsets[row + 1] - offsets[row]) as i64,
            );
            let index = indexes.value(row);
            let position = match index {
                0 => {
                    return exec_err!("element_at: indexes start at 1 (or -1 from the end), not 0");
                }
                i if i > 0 => i - 1,
                i => len + i,
            };
            positions.push(
                (0..len)
                    .contains(&position)
                    .then(|| (start + position) as u64),
            );
        }
        let picked = take(lists.values().as_ref(), &UInt64Array::from(positions), None)?;
        scalar_or_array(picked, &args)
    }
}

/// `contains(array, element)`; `contains(text, substring)` as in DataFusion.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct Contains;

impl TrinoFunction for Contains {
    const NAME: &str = "contains";
    fn coerce_types(&self, types: &[DataType]) -> Result<Vec<DataType>> {
        match types {
            [list @ DataType::List(field), _] => Ok(vec![list.clone(), field.data_type().clone()]),
            [a, b] if text_arg(a).is_ok() && text_arg(b).is_ok() => {
                Ok(vec![DataType::Utf8, DataType::Utf8])
            }
            _ => plan_err!("contains takes an array and an element (or a text and a substring)"),
        }
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = argument_arrays(&args)?;
        let result: BooleanArray = if let DataType::List(_) = arrays[0].data_type() {
            let lists = arrays[0].as_list::<i32>();
            // Compared as text, which is exact for the strings, numbers and booleans arrays hold.
            let values = cast(lists.values(), &DataType::Utf8)?;
            let values = values.as_string::<i32>();
            let elements = cast(&arrays[1], &DataType::Utf8)?;
            let elements = elements.as_string::<i32>();
            let offsets = lists.value_offsets();
            (0..args.number_rows)
                .map(|row| {
                    if lists.is_null(row) || elements.is_null(row) {
                        return None;
                    }
                    let wanted = elements.value(row);
                    let range = offsets[row] as usize..offsets[row + 1] as usize;
                    let mut saw_null = false;
                    for i in range {
                        if values.is_null(i) {
                            saw_null = true;
                        } else if values.value(i) == wanted {
                            return Some(true);
                        }
                    }
                    (!saw_null).then_some(false)
                })
                .collect()
        } else {
            let (texts, parts) = (arrays[0].as_string::<i32>(), arrays[1].as_string::<i32>());
            texts
                .iter()
                .zip(parts.iter())
                .map(|(t, p)| Some(t?.contains(p?)))
                .collect()
        };
        scalar_or_array(Arc::new(result), &args)
    }
}
