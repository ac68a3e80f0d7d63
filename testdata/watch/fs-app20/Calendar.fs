// Part of the 20-file sample for the watch latency benchmark.
module FsApp20.Calendar

type CalendarItem =
    { Id: int
      Name: string
      Weight: float }

let make (id: int) = { Id = id; Name = sprintf "calendar-%d" id; Weight = float id * 1.5 }

let scale (x: int) = x * 11 + 9

let total (items: CalendarItem list) = items |> List.sumBy (fun i -> i.Weight)

let describe (item: CalendarItem) =
    match item.Id % 3 with
    | 0 -> "small " + item.Name
    | 1 -> "medium " + item.Name
    | _ -> "large " + item.Name

let chained (x: int) = Reports.scale x + 1
