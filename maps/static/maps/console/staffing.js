/* 网格编辑台, part 2: staffing a grid. A grid's primary and backup agents with their open work,
 * leave and training; assign, replace and end through the people endpoints
 * (/api/v1/grids/{code}/assignments/…, whose rules decide: one primary, dates, row locks); the
 * station's agents with the grids each covers and their load. ZoneConsole.staffing.show(code,
 * container) draws it; `onChange` is called after every change (the editor refreshes the map). */
(function () {
  "use strict";

  var ZC = window.ZoneConsole;
  var el = ZC.el;
  var stations = {}; // centre code → last answer of the station's agent list

  function leaveText(a) {
    if (a.on_leave_until) return "请假中，至 " + ZC.date(a.on_leave_until);
    if (a.next_leave) return "将于 " + ZC.date(a.next_leave.start) + " 请假";
    return "在岗";
  }

  function trainingText(a) {
    if (!a.last_training) return "无培训记录";
    return ZC.date(a.last_training.date) + " " + a.last_training.topic + "（近一年 " + a.trainings_last_year + " 次）";
  }

  function loadText(a) {
    return a.open_work + " / " + (a.open_work_cap === null ? "—" : a.open_work_cap);
  }

  function say(box, message, kind) {
    box.textContent = message;
    box.className = "console-status " + (kind || "");
  }

  function Staffing(onChange) {
    this.onChange = onChange || function () {};
    this.code = null;
    this.container = null;
  }

  Staffing.prototype.show = function (code, container) {
    var self = this;
    this.code = code;
    this.container = container;
    container.textContent = "";
    container.appendChild(el("p", { class: "muted" }, ["正在读取人员配置 …"]));
    return ZC.get(ZC.url("staffing", { code: code }))
      .then(function (res) {
        var d = res.body;
        if (!d.centre) return [d, null];
        return self.station(d.centre.code).then(
          function (s) { return [d, s]; },
          function () { return [d, null]; }
        );
      })
      .then(function (pair) {
        if (self.code === code) self.render(pair[0], pair[1]);
      })
      .catch(function (err) {
        container.textContent = "";
        container.appendChild(el("p", { class: "error", role: "alert" }, ["读取人员配置失败：" + err.message]));
      });
  };

  Staffing.prototype.station = function (code) {
    return ZC.get(ZC.url("stationAgents", { code: code })).then(
      function (res) {
        stations[code] = res.body;
        return res.body;
      },
      function (err) {
        stations[code] = { agents: [], grids_without_primary: [] }; // no station here, or not ours
        throw err;
      }
    );
  };

  Staffing.prototype.known = function (code) {
    return Object.prototype.hasOwnProperty.call(stations, code);
  };

  /* forget the station lists (after a change: they are read again as grids load) */
  Staffing.prototype.forget = function () {
    stations = {};
  };

  /* codes of grids known to have no primary (from the station lists read so far) */
  Staffing.prototype.withoutPrimary = function () {
    var codes = {};
    Object.keys(stations).forEach(function (k) {
      (stations[k].grids_without_primary || []).forEach(function (c) { codes[c] = true; });
    });
    return codes;
  };

  Staffing.prototype.render = function (d, station) {
    var self = this;
    var box = this.container;
    var status = el("p", { class: "console-status", role: "status", "aria-live": "polite" });
    box.textContent = "";
    box.appendChild(el("h3", null, ["人员配置 · " + d.grid.name + "（" + d.grid.code + "）"]));
    if (!d.has_primary) {
      box.appendChild(el("p", { class: "no-primary", role: "note" }, ["⚠ 此网格没有主责代办员"]));
    }
    var rows = d.assignments.map(function (a) {
      var actions = el("td");
      if (d.may_edit) {
        actions.appendChild(ZC.button("结束", function () { self.askEnd(a, actions, status); }, {
          "aria-label": "结束 " + a.agent.name + " 的" + a.kind_display + "指派"
        }));
      }
      return el("tr", { "data-assignment": a.id }, [
        el("td", null, [a.kind_display + (a.current ? "" : "（" + ZC.date(a.valid_from) + " 起）")]),
        el("td", null, [a.agent.name]),
        el("td", null, [loadText(a.agent)]),
        el("td", null, [leaveText(a.agent)]),
        el("td", null, [trainingText(a.agent)]),
        actions
      ]);
    });
    if (rows.length) {
      box.appendChild(el("table", { class: "staffing", "aria-label": "网格代办员" }, [
        el("tr", null, ["职责", "代办员", "在办/上限", "请假", "培训", ""].map(function (h) { return el("th", null, [h]); }))
      ].concat(rows)));
    } else {
      box.appendChild(el("p", { class: "muted" }, ["没有指派代办员。"]));
    }
    if (d.may_edit && station) box.appendChild(this.assignForm(d, station, status));
    box.appendChild(status);
    if (station) box.appendChild(this.stationList(station));
  };

  Staffing.prototype.assignForm = function (d, station, status) {
    var self = this;
    var agent = el("select", { id: "assign-agent", "aria-label": "代办员" }, station.agents.map(function (a) {
      return el("option", { value: a.id }, [a.name + "（在办 " + loadText(a) + (a.on_leave_until ? "，请假中" : "") + "）"]);
    }));
    var kind = el("select", { id: "assign-kind", "aria-label": "职责" }, [
      el("option", { value: "backup" }, ["协助"]),
      el("option", { value: "primary" }, ["主责"])
    ]);
    var from = el("input", { id: "assign-from", type: "date", value: ZC.today(), "aria-label": "起始日期" });
    var current = d.assignments.filter(function (a) { return a.current && a.kind === "primary"; })[0];
    var submit = ZC.button("指派", function () {
      var body = { staff: Number(agent.value), kind: kind.value, valid_from: from.value };
      var steps = Promise.resolve();
      if (kind.value === "primary" && current) {
        // replacing: the current primary's assignment ends the day the new one starts
        steps = ZC.request("POST", ZC.url("assignmentEnd", { code: d.grid.code, assignment: current.id }), {
          body: { valid_to: from.value, reason: "替换主责代办员" }
        });
      }
      submit.disabled = true;
      steps
        .then(function () {
          return ZC.request("POST", ZC.url("assignments", { code: d.grid.code }), { body: body });
        })
        .then(function () {
          self.onChange(d.grid.code, "已指派");
          return self.show(d.grid.code, self.container);
        })
        .catch(function (err) {
          submit.disabled = false;
          say(status, "未能指派：" + err.message, "error");
        });
    }, { id: "assign-submit" });
    var replaceNote = el("span", { class: "muted", id: "assign-note" }, [current ? "选“主责”将替换 " + current.agent.name : ""]);
    return el("fieldset", { class: "assign" }, [
      el("legend", null, ["指派或替换代办员"]),
      el("label", null, ["代办员 ", agent]),
      el("label", null, ["职责 ", kind]),
      el("label", null, ["起始 ", from]),
      submit,
      replaceNote
    ]);
  };

  Staffing.prototype.askEnd = function (a, cell, status) {
    var self = this;
    var to = el("input", { type: "date", value: ZC.today(), "aria-label": "结束日期（当天起不再负责）" });
    var reason = el("input", { type: "text", "aria-label": "结束原因", placeholder: "原因" });
    var ok = ZC.button("确认结束", function () {
      ok.disabled = true;
      ZC.request("POST", ZC.url("assignmentEnd", { code: self.code, assignment: a.id }), {
        body: { valid_to: to.value, reason: reason.value }
      })
        .then(function () {
          self.onChange(self.code, "已结束 " + a.agent.name + " 的指派");
          return self.show(self.code, self.container);
        })
        .catch(function (err) {
          ok.disabled = false;
          say(status, "未能结束：" + err.message, "error");
        });
    }, { class: "danger" });
    cell.textContent = "";
    cell.appendChild(el("span", { class: "end-form" }, [to, reason, ok]));
    to.focus();
  };

  Staffing.prototype.stationList = function (s) {
    var rows = s.agents.map(function (a) {
      var grids = a.grids.map(function (g) { return g.code + (g.kind === "primary" ? "（主）" : "（协）"); }).join("、") || "—";
      return el("tr", null, [el("td", null, [a.name]), el("td", null, [grids]), el("td", null, [loadText(a)]), el("td", null, [leaveText(a)])]);
    });
    var nodes = [el("h3", null, ["站点代办员 · " + s.centre.name + "（" + s.agents.length + "）"])];
    if (s.grids_without_primary.length) {
      nodes.push(el("p", { class: "no-primary" }, ["没有主责代办员的网格：" + s.grids_without_primary.join("、")]));
    }
    nodes.push(rows.length
      ? el("table", { class: "station", "aria-label": "站点代办员" }, [
          el("tr", null, ["代办员", "负责网格", "在办/上限", "请假"].map(function (h) { return el("th", null, [h]); }))
        ].concat(rows))
      : el("p", { class: "muted" }, ["站点没有代办员。"]));
    return el("section", { class: "station-agents" }, nodes);
  };

  ZC.Staffing = Staffing;
})();
